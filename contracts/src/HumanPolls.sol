// SPDX-License-Identifier: MIT
pragma solidity ^0.8.23;

import {ISemaphore} from "@semaphore-protocol/contracts/interfaces/ISemaphore.sol";
import {ISemaphoreGroups} from "@semaphore-protocol/contracts/interfaces/ISemaphoreGroups.sol";
import {ISemaphoreVerifier} from "@semaphore-protocol/contracts/interfaces/ISemaphoreVerifier.sol";
import {PinnedGroupProof} from "./PinnedGroupProof.sol";

/// @title HumanPolls
/// @notice One person, one vote polls over a Semaphore group: each ballot is a zero-knowledge proof
/// of membership, so anyone (a relayer) can submit it and the voter's address never appears.
/// @dev A poll pins the group's root, size and depth when it is created; only members at that moment
/// can vote, for the whole window, whatever happens to the group afterwards (see {PinnedGroupProof}).
///
/// Encodings (TypeScript: sdk/voting/scope.ts and sdk/voting/message.ts):
/// - scope of a poll: `uint256(keccak256(abi.encode(chainId, address(this), pollId))) >> 8`;
///   of one pair in a pairwise poll: `uint256(keccak256(abi.encode(chainId, address(this), pollId, first, second))) >> 8`
///   with `first < second`, so one person judges each pair once.
/// - message of a single choice or pairwise ballot: `uint256(keccak256(abi.encode(choice, reasonHash))) >> 8`
///   (pairwise: `choice` is the winner and `reasonHash` is zero);
///   of an approval ballot: `uint256(keccak256(abi.encode(choices, reasonHash))) >> 8` with `choices`
///   a strictly increasing `uint256[]`. `reasonHash` is keccak256 of the voter's reason text, or zero.
///
/// Anyone may create a poll: a poll only constrains itself (its own pinned root and nullifier set), so
/// an open door costs other polls nothing, and the creator is recorded for front ends to filter on.
contract HumanPolls {
    enum PollKind {
        /// One option per ballot; counts per option.
        SingleChoice,
        /// Any set of options (or candidates) per ballot, one proof for the whole set; counts per option.
        Approval,
        /// "A or B" judgements: one proof per pair, counts per pair (for a Bradley-Terry fit off chain).
        Pairwise
    }

    /// @notice What a poll creator chooses.
    struct PollParameters {
        /// Semaphore group whose members (at creation time) may vote.
        uint256 groupId;
        PollKind kind;
        /// Voting opens at this block timestamp (inclusive)...
        uint64 start;
        /// ...and closes at this one (exclusive).
        uint64 end;
        /// Number of options, or of candidates when `candidatesRoot` is set; choices are indexes below it.
        uint32 optionCount;
        /// Art polls: Merkle root of the candidates' content hashes (sdk/anchors/merkle.ts rules, the
        /// candidate index is the leaf position). Zero for a poll with plain options.
        bytes32 candidatesRoot;
        /// keccak256 of the poll's off-chain description (title, option labels, candidate URIs).
        bytes32 metadataHash;
    }

    /// @notice A poll as stored. The third slot is read and written by every ballot, so it is packed.
    struct Poll {
        uint256 merkleTreeRoot;
        uint256 groupId;
        uint64 start;
        uint64 end;
        uint32 optionCount;
        uint40 merkleTreeSize;
        uint8 merkleTreeDepth;
        PollKind kind;
        /// Ballots counted so far (one per proof).
        uint40 ballotCount;
        bytes32 candidatesRoot;
        bytes32 metadataHash;
        address creator;
    }

    /// @notice A poll was created with the group's root, size and depth pinned at this block.
    event PollCreated(
        uint256 indexed pollId,
        address indexed creator,
        uint256 indexed groupId,
        PollKind kind,
        uint256 merkleTreeRoot,
        uint256 merkleTreeSize
    );
    /// @notice A single choice ballot was counted for `choice`.
    event VoteCast(uint256 indexed pollId, uint256 indexed nullifier, uint256 choice, bytes32 reasonHash);
    /// @notice An approval ballot was counted for each of `choices`.
    event ApprovalVoteCast(uint256 indexed pollId, uint256 indexed nullifier, uint256[] choices, bytes32 reasonHash);
    /// @notice A pairwise judgement was counted: `winner` beat the other of `first` and `second`.
    event PairwiseVoteCast(uint256 indexed pollId, uint256 indexed nullifier, uint256 first, uint256 second, uint256 winner);

    /// @notice No poll has this id.
    error PollNotFound(uint256 pollId);
    /// @notice The ballot arrived outside the poll's window `[start, end)`.
    error PollNotOpen(uint64 start, uint64 end, uint256 timestamp);
    /// @notice The ballot function does not match the poll's kind.
    error WrongPollKind(PollKind expected, PollKind actual);
    /// @notice The proof was made against another root than the one pinned by the poll.
    error WrongRoot(uint256 expected, uint256 actual);
    /// @notice The proof was made for another poll, pair, contract or chain.
    error WrongScope(uint256 expected, uint256 actual);
    /// @notice The proof's message does not encode the given choice (and reason hash).
    error WrongMessage(uint256 expected, uint256 actual);
    /// @notice This person has already voted in this poll (or judged this pair).
    error NullifierAlreadyUsed(uint256 nullifier);
    /// @notice The verifier has no key for this tree depth (Semaphore supports 1 to 32).
    error MerkleTreeDepthNotSupported(uint256 depth);
    /// @notice The zero-knowledge proof does not verify.
    error InvalidProof();
    /// @notice A choice is not below the poll's option count.
    error ChoiceOutOfRange(uint256 choice, uint256 optionCount);
    /// @notice Approval choices must be strictly increasing, so none is counted twice.
    error ChoicesNotStrictlyIncreasing(uint256 previous, uint256 next);
    /// @notice An approval ballot must approve at least one option.
    error NoChoices();
    /// @notice A pair must be given as `first < second`.
    error InvalidPair(uint256 first, uint256 second);
    /// @notice The winner of a pairwise judgement must be one of the pair.
    error WinnerNotInPair(uint256 winner, uint256 first, uint256 second);
    /// @notice The window must be non-empty and must not have ended already.
    error InvalidWindow(uint64 start, uint64 end, uint256 timestamp);
    /// @notice A poll needs at least two options.
    error TooFewOptions(uint256 optionCount);
    /// @notice An empty group cannot vote; its root is zero.
    error GroupHasNoMembers(uint256 groupId);

    /// @notice The Semaphore contract whose groups polls pin.
    ISemaphoreGroups public immutable semaphore;
    /// @notice The Groth16 verifier of Semaphore v4 proofs (the one `semaphore` uses).
    ISemaphoreVerifier public immutable verifier;
    /// @notice Number of polls created; poll ids run from 1 to this.
    uint256 public pollCount;

    mapping(uint256 pollId => Poll) private _polls;
    mapping(uint256 pollId => mapping(uint256 nullifier => bool)) private _nullifiers;
    mapping(uint256 pollId => mapping(uint256 option => uint256)) private _optionCounts;
    /// Per pair `first << 128 | second`: wins of `first` in the low 128 bits, of `second` in the high ones,
    /// so one judgement costs one storage write.
    mapping(uint256 pollId => mapping(uint256 pairKey => uint256)) private _pairCounts;

    /// @param semaphoreGroups The deployed Semaphore contract.
    /// @param semaphoreVerifier The verifier that Semaphore contract was deployed with.
    constructor(ISemaphoreGroups semaphoreGroups, ISemaphoreVerifier semaphoreVerifier) {
        semaphore = semaphoreGroups;
        verifier = semaphoreVerifier;
    }

    /// @notice Creates a poll and pins the group's current root, size and depth.
    /// @param parameters Group, kind, window, option count and optional candidates root and metadata hash.
    /// @return pollId The new poll's id (sequential from 1).
    function createPoll(PollParameters calldata parameters) external returns (uint256 pollId) {
        if (parameters.start >= parameters.end || parameters.end <= block.timestamp) {
            revert InvalidWindow(parameters.start, parameters.end, block.timestamp);
        }
        if (parameters.optionCount < 2) revert TooFewOptions(parameters.optionCount);
        uint256 root = semaphore.getMerkleTreeRoot(parameters.groupId);
        if (root == 0) revert GroupHasNoMembers(parameters.groupId);
        uint256 size = semaphore.getMerkleTreeSize(parameters.groupId);

        pollId = ++pollCount;
        _polls[pollId] = Poll({
            merkleTreeRoot: root,
            groupId: parameters.groupId,
            start: parameters.start,
            end: parameters.end,
            optionCount: parameters.optionCount,
            merkleTreeSize: uint40(size),
            merkleTreeDepth: uint8(semaphore.getMerkleTreeDepth(parameters.groupId)),
            kind: parameters.kind,
            ballotCount: 0,
            candidatesRoot: parameters.candidatesRoot,
            metadataHash: parameters.metadataHash,
            creator: msg.sender
        });
        emit PollCreated(pollId, msg.sender, parameters.groupId, parameters.kind, root, size);
    }

    /// @notice Counts a single choice ballot. Anyone may submit it: the proof binds poll and choice.
    /// @param pollId A SingleChoice poll.
    /// @param choice Option index, below the poll's option count.
    /// @param reasonHash keccak256 of the voter's reason text, or zero; bound by the proof's message.
    /// @param proof A Semaphore proof against the pinned root, with the poll's scope and
    /// `message = voteMessage(choice, reasonHash)`.
    function castVote(
        uint256 pollId,
        uint256 choice,
        bytes32 reasonHash,
        ISemaphore.SemaphoreProof calldata proof
    ) external {
        Poll storage poll = _openPoll(pollId, PollKind.SingleChoice);
        _checkChoice(choice, poll.optionCount);
        _spendProof(pollId, poll, pollScope(pollId), voteMessage(choice, reasonHash), proof);
        ++_optionCounts[pollId][choice];
        emit VoteCast(pollId, proof.nullifier, choice, reasonHash);
    }

    /// @notice Counts an approval ballot: one proof approves a whole set of options. Gas grows with the
    /// number approved, not with the number of options, so polls of thousands of candidates work.
    /// @param pollId An Approval poll.
    /// @param choices Approved option indexes, strictly increasing, at least one.
    /// @param reasonHash keccak256 of the voter's reason text, or zero; bound by the proof's message.
    /// @param proof A Semaphore proof against the pinned root, with the poll's scope and
    /// `message = approvalMessage(choices, reasonHash)`.
    function castApprovalVote(
        uint256 pollId,
        uint256[] calldata choices,
        bytes32 reasonHash,
        ISemaphore.SemaphoreProof calldata proof
    ) external {
        Poll storage poll = _openPoll(pollId, PollKind.Approval);
        if (choices.length == 0) revert NoChoices();
        uint256 optionCount = poll.optionCount;
        for (uint256 i = 0; i < choices.length; ++i) {
            if (i > 0 && choices[i] <= choices[i - 1]) revert ChoicesNotStrictlyIncreasing(choices[i - 1], choices[i]);
            _checkChoice(choices[i], optionCount);
        }
        _spendProof(pollId, poll, pollScope(pollId), approvalMessage(choices, reasonHash), proof);
        mapping(uint256 => uint256) storage counts = _optionCounts[pollId];
        for (uint256 i = 0; i < choices.length; ++i) ++counts[choices[i]];
        emit ApprovalVoteCast(pollId, proof.nullifier, choices, reasonHash);
    }

    /// @notice Counts one "A or B" judgement. Each pair has its own scope, so a person judges many
    /// pairs of a poll but each pair once.
    /// @param pollId A Pairwise poll.
    /// @param first The lower candidate index of the pair.
    /// @param second The higher candidate index of the pair.
    /// @param winner `first` or `second`.
    /// @param proof A Semaphore proof against the pinned root, with `scope = pairScope(pollId, first, second)`
    /// and `message = voteMessage(winner, 0)`.
    function castPairwiseVote(
        uint256 pollId,
        uint256 first,
        uint256 second,
        uint256 winner,
        ISemaphore.SemaphoreProof calldata proof
    ) external {
        Poll storage poll = _openPoll(pollId, PollKind.Pairwise);
        if (first >= second) revert InvalidPair(first, second);
        _checkChoice(second, poll.optionCount);
        if (winner != first && winner != second) revert WinnerNotInPair(winner, first, second);
        _spendProof(pollId, poll, pairScope(pollId, first, second), voteMessage(winner, bytes32(0)), proof);
        // Indexes are below 2^32, so neither half can overflow into the other.
        _pairCounts[pollId][(first << 128) | second] += winner == first ? 1 : 1 << 128;
        emit PairwiseVoteCast(pollId, proof.nullifier, first, second, winner);
    }

    /// @notice The poll as stored, including its pinned root, size and depth.
    /// @param pollId The poll's id; reverts with {PollNotFound} if there is none.
    function getPoll(uint256 pollId) external view returns (Poll memory) {
        return _existingPoll(pollId);
    }

    /// @notice Ballots counted for one option (single choice and approval polls).
    /// @param pollId The poll's id.
    /// @param option The option index.
    function optionVotes(uint256 pollId, uint256 option) external view returns (uint256) {
        return _optionCounts[pollId][option];
    }

    /// @notice Counts for every option of a poll, in index order. For very large polls read
    /// {optionVotes} in ranges or the events instead: this returns `optionCount` words.
    /// @param pollId The poll's id.
    function results(uint256 pollId) external view returns (uint256[] memory counts) {
        uint256 optionCount = _existingPoll(pollId).optionCount;
        counts = new uint256[](optionCount);
        mapping(uint256 => uint256) storage stored = _optionCounts[pollId];
        for (uint256 i = 0; i < optionCount; ++i) counts[i] = stored[i];
    }

    /// @notice Judgements counted for one pair of a pairwise poll.
    /// @param pollId The poll's id.
    /// @param first The lower candidate index.
    /// @param second The higher candidate index.
    /// @return firstWins Times `first` was preferred.
    /// @return secondWins Times `second` was preferred.
    function pairVotes(uint256 pollId, uint256 first, uint256 second) external view returns (uint256 firstWins, uint256 secondWins) {
        if (first >= second) revert InvalidPair(first, second);
        uint256 packed = _pairCounts[pollId][(first << 128) | second];
        return (uint128(packed), packed >> 128);
    }

    /// @notice True when this nullifier has been spent in this poll.
    /// @param pollId The poll's id.
    /// @param nullifier A proof's nullifier.
    function isNullifierUsed(uint256 pollId, uint256 nullifier) external view returns (bool) {
        return _nullifiers[pollId][nullifier];
    }

    /// @notice The scope a single choice or approval ballot's proof must carry for this poll.
    /// @param pollId The poll's id.
    function pollScope(uint256 pollId) public view returns (uint256) {
        return PinnedGroupProof.scope(address(this), pollId);
    }

    /// @notice The scope a pairwise judgement's proof must carry for the pair `(first, second)`.
    /// @param pollId The poll's id.
    /// @param first The lower candidate index.
    /// @param second The higher candidate index.
    function pairScope(uint256 pollId, uint256 first, uint256 second) public view returns (uint256) {
        return uint256(keccak256(abi.encode(block.chainid, address(this), pollId, first, second))) >> 8;
    }

    /// @notice The message a single choice ballot (or a pairwise judgement, with a zero reason hash) must carry.
    /// @param choice The option index (or the winner).
    /// @param reasonHash keccak256 of the reason text, or zero.
    function voteMessage(uint256 choice, bytes32 reasonHash) public pure returns (uint256) {
        return uint256(keccak256(abi.encode(choice, reasonHash))) >> 8;
    }

    /// @notice The message an approval ballot must carry.
    /// @param choices The approved option indexes, strictly increasing.
    /// @param reasonHash keccak256 of the reason text, or zero.
    function approvalMessage(uint256[] calldata choices, bytes32 reasonHash) public pure returns (uint256) {
        return uint256(keccak256(abi.encode(choices, reasonHash))) >> 8;
    }

    function _existingPoll(uint256 pollId) private view returns (Poll storage poll) {
        poll = _polls[pollId];
        if (poll.end == 0) revert PollNotFound(pollId);
    }

    function _openPoll(uint256 pollId, PollKind kind) private view returns (Poll storage poll) {
        poll = _existingPoll(pollId);
        if (poll.kind != kind) revert WrongPollKind(poll.kind, kind);
        if (block.timestamp < poll.start || block.timestamp >= poll.end) revert PollNotOpen(poll.start, poll.end, block.timestamp);
    }

    function _checkChoice(uint256 choice, uint256 optionCount) private pure {
        if (choice >= optionCount) revert ChoiceOutOfRange(choice, optionCount);
    }

    /// Cheap comparisons first, the pairing check last; then the nullifier is spent and the ballot counted.
    function _spendProof(
        uint256 pollId,
        Poll storage poll,
        uint256 scope,
        uint256 message,
        ISemaphore.SemaphoreProof calldata proof
    ) private {
        if (proof.scope != scope) revert WrongScope(scope, proof.scope);
        if (proof.message != message) revert WrongMessage(message, proof.message);
        if (proof.merkleTreeRoot != poll.merkleTreeRoot) revert WrongRoot(poll.merkleTreeRoot, proof.merkleTreeRoot);
        if (_nullifiers[pollId][proof.nullifier]) revert NullifierAlreadyUsed(proof.nullifier);
        if (!PinnedGroupProof.isSupportedDepth(proof.merkleTreeDepth)) revert MerkleTreeDepthNotSupported(proof.merkleTreeDepth);
        if (!PinnedGroupProof.verify(verifier, proof)) revert InvalidProof();
        _nullifiers[pollId][proof.nullifier] = true;
        ++poll.ballotCount;
    }
}
